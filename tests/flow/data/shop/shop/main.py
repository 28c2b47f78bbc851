"""The application: the router under /api, the broadcasters started in the lifespan."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from shop.api import router
from shop.tasks import tasks


@asynccontextmanager
async def lifespan(app: FastAPI):
    tasks.start()
    yield


app = FastAPI(lifespan=lifespan)
app.include_router(router, prefix="/api")
