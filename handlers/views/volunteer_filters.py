"""The filters of /volunteers and /broadcast: a summary with one button per filter, and the
choices behind each button. Every button carries the filter it leads to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.console_callbacks import FilterPurpose, FilterView, VolunteerFilterCb
from handlers.views.labels import (
    LANGUAGE_NAMES,
    district_label,
    label,
    language_label,
    skill_label,
)
from matching.areas import Areas
from matching.status import Standing
from services.volunteer_queries import VolunteerFilter

CHOICES = (FilterView.SKILL, FilterView.DISTRICT, FilterView.LANGUAGE, FilterView.STANDING)


def _any() -> str:
    return _("any")


def chosen_labels(f: VolunteerFilter, areas: Areas) -> dict[FilterView, str]:
    """Each filter's value as the reader sees it."""
    return {
        FilterView.SKILL: skill_label(areas, f.skill) if f.skill else _any(),
        FilterView.DISTRICT: district_label(areas, f.district) if f.district else _any(),
        FilterView.LANGUAGE: language_label(f.language) if f.language else _any(),
        FilterView.STANDING: label(f.standing),
    }


def _names() -> dict[FilterView, str]:
    return {
        FilterView.SKILL: _("Skill"),
        FilterView.DISTRICT: _("District"),
        FilterView.LANGUAGE: _("Language"),
        FilterView.STANDING: _("Who"),
    }


def summary_text(f: VolunteerFilter, count: int, areas: Areas) -> str:
    """The filters, and how many volunteers they pick."""
    names, values = _names(), chosen_labels(f, areas)
    lines = [f"{names[view]}: {values[view]}" for view in CHOICES]
    found = ngettext("{n} volunteer", "{n} volunteers", count).format(n=count)
    return "\n".join([_("Choose with the buttons:"), *lines, "", found])


def summary_keyboard(
    purpose: FilterPurpose, f: VolunteerFilter, go: str | None
) -> InlineKeyboardMarkup:
    """One button per filter; `go` names the next step (no next step when nobody is picked)."""
    names = _names()
    builder = InlineKeyboardBuilder()
    for view in CHOICES:
        builder.button(
            text=f"{names[view]} ▾", callback_data=VolunteerFilterCb.of(purpose, view, f)
        )
    builder.adjust(2)
    if go is not None:
        builder.row(
            InlineKeyboardButton(
                text=go,
                callback_data=VolunteerFilterCb.of(purpose, FilterView.GO, f).pack(),
            )
        )
    return builder.as_markup()


def _options(view: FilterView, areas: Areas) -> Sequence[tuple[str, str]]:
    if view is FilterView.SKILL:
        return [(k, skill_label(areas, k)) for k in areas.skills]
    if view is FilterView.DISTRICT:
        return [(k, district_label(areas, k)) for k in areas.districts]
    return [(code, language_label(code)) for code in LANGUAGE_NAMES]


def _with(f: VolunteerFilter, view: FilterView, value: str | None) -> VolunteerFilter:
    if view is FilterView.SKILL:
        return replace(f, skill=value)
    if view is FilterView.DISTRICT:
        return replace(f, district=value)
    return replace(f, language=value)


def choice_keyboard(
    purpose: FilterPurpose, view: FilterView, f: VolunteerFilter, areas: Areas
) -> InlineKeyboardMarkup:
    """The choices of one filter; each leads back to the summary with it chosen."""
    builder = InlineKeyboardBuilder()
    summary = FilterView.SUMMARY
    if view is FilterView.STANDING:
        for standing in Standing:
            chosen = replace(f, standing=standing)
            builder.button(
                text=label(standing), callback_data=VolunteerFilterCb.of(purpose, summary, chosen)
            )
    else:
        builder.button(
            text=_any(), callback_data=VolunteerFilterCb.of(purpose, summary, _with(f, view, None))
        )
        for key, text in _options(view, areas):
            builder.button(
                text=text, callback_data=VolunteerFilterCb.of(purpose, summary, _with(f, view, key))
            )
    builder.adjust(2)
    builder.row(
        InlineKeyboardButton(
            text="« " + _("Back"), callback_data=VolunteerFilterCb.of(purpose, summary, f).pack()
        )
    )
    return builder.as_markup()


def choice_text(view: FilterView) -> str:
    return {
        FilterView.SKILL: _("Which skill?"),
        FilterView.DISTRICT: _("Which district?"),
        FilterView.LANGUAGE: _("Which language?"),
        FilterView.STANDING: _("Which volunteers?"),
    }[view]
