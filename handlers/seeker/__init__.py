"""Help seekers: the form that asks for help, and their open requests."""

from aiogram import Router

from handlers.seeker import description, form, myrequests


def router() -> Router:
    r = Router(name="seeker")
    r.include_routers(form.router(), description.router(), myrequests.router())
    return r
