"""Volunteers: signing up, their profile, and the offers and tasks they answer."""

from aiogram import Router

from handlers.volunteer import meetings, offers, profile, signup


def router() -> Router:
    r = Router(name="volunteer")
    r.include_routers(signup.router(), profile.router(), offers.router(), meetings.router())
    return r
