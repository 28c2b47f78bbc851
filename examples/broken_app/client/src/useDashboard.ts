// The dashboard's live data, as a React hook: the queue and the workers on /ws, the alerts on
// their own socket.
import { useEffect, useState } from "react";

const WS_ORIGIN = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}`;

export function useDashboard() {
  const [queue, setQueue] = useState<unknown>(null);
  const [workers, setWorkers] = useState<unknown>(null);
  const [alerts, setAlerts] = useState<unknown[]>([]);

  useEffect(() => {
    const socket = new WebSocket(`${WS_ORIGIN}/ws`);
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "queue_update") setQueue(message.data);
      if (message.type === "worker_status_update") setWorkers(message.data);
    };
    const alertSocket = new WebSocket(`${WS_ORIGIN}/ws/alerts`);
    alertSocket.onmessage = (event) => setAlerts((all) => [...all, JSON.parse(event.data)]);
    return () => {
      socket.close();
      alertSocket.close();
    };
  }, []);

  return { queue, workers, alerts };
}
