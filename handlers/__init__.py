"""aiogram routers, one module per conversation."""

from aiogram import Router


def _fresh(router: Router) -> Router:
    """A new router with the same handlers. aiogram attaches a router to one parent only, but
    tests and several workers in one process build several dispatchers."""
    copy = Router(name=router.name)
    for name, observer in router.observers.items():
        target = copy.observers[name]
        target.handlers.extend(observer.handlers)
        target._handler.filters = list(observer._handler.filters or [])  # router-level filters
        # Router middlewares too: the coordinator router guards its handlers with one.
        for middleware in observer.middleware:
            target.middleware(middleware)
        for middleware in observer.outer_middleware:
            target.outer_middleware(middleware)
    for sub in router.sub_routers:
        copy.include_router(_fresh(sub))
    return copy


def get_routers() -> list[Router]:
    from handlers import (
        common,
        coordinator,
        fallback,
        myrequests,
        offers,
        seeker,
        volunteer,
    )

    # Order matters: the fallback router answers whatever nobody else took, so it comes last.
    modules = (common, coordinator, seeker, volunteer, offers, myrequests, fallback)
    return [_fresh(module.router) for module in modules]
