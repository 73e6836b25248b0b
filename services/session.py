"""The unit of work's session as handlers pass it on: they hold it, never query through it."""

from sqlalchemy.ext.asyncio import AsyncSession

Session = AsyncSession

__all__ = ["Session"]
