"""Conversation states."""

from aiogram.fsm.state import State, StatesGroup


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


class CloseReason(StatesGroup):
    text = State()
