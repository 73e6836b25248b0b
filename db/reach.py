"""Keeping volunteer_reach in step with the skill, district and language links."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import VolunteerDistrict, VolunteerLanguage, VolunteerReach, VolunteerSkill


def _product() -> Select[str, str, str, int]:
    return (
        select(
            VolunteerSkill.skill,
            VolunteerDistrict.district,
            VolunteerLanguage.language,
            VolunteerSkill.user_id,
        )
        .join(VolunteerDistrict, VolunteerDistrict.user_id == VolunteerSkill.user_id)
        .join(VolunteerLanguage, VolunteerLanguage.user_id == VolunteerSkill.user_id)
    )


async def rebuild_reach(session: AsyncSession, user_ids: Sequence[int] | None = None) -> None:
    """Recompute the reach rows of `user_ids` (of everybody when None) from their links."""
    await session.flush()
    product = _product()
    wipe = delete(VolunteerReach)
    if user_ids is not None:
        product = product.where(VolunteerSkill.user_id.in_(user_ids))
        wipe = wipe.where(VolunteerReach.user_id.in_(user_ids))
    await session.execute(wipe)
    columns = ["skill", "district", "language", "user_id"]
    await session.execute(insert(VolunteerReach).from_select(columns, product))
