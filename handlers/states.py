"""Conversation states."""

from aiogram import F
from aiogram.fsm.state import State, StatesGroup

# Form steps take what the user types, but a command always reaches its own handler.
NOT_A_COMMAND = ~F.text.startswith("/")


class Intake(StatesGroup):
    skill = State()
    district = State()
    when = State()
    day = State()
    description = State()
    consent = State()
    confirm = State()


class Signup(StatesGroup):
    skills = State()
    districts = State()
    languages = State()


class MeetingForm(StatesGroup):
    """A coordinator sets up or edits a meeting."""

    title = State()
    kind = State()
    day = State()
    time = State()
    duration = State()
    place = State()
    audience = State()
    values = State()
    offsets = State()
    confirm = State()


class RoleForm(StatesGroup):
    """A coordinator names whom to add or remove: an id, an @username or a forwarded message."""

    adding = State()
    removing = State()


class BroadcastForm(StatesGroup):
    """A coordinator writes a broadcast to the volunteers a filter picked, and confirms it."""

    text = State()
    confirm = State()
