// The status page's live data, as a React hook: the initial status on connect, then every
// status_update the app's broadcaster sends.
import { useEffect, useState } from "react";

const WS_ORIGIN = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}`;

export function useStatus() {
  const [status, setStatus] = useState<Record<string, unknown> | null>(null);

  useEffect(() => {
    const socket = new WebSocket(`${WS_ORIGIN}/ws`);
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "status_update") setStatus(message.data);
    };
    return () => socket.close();
  }, []);

  return status;
}
