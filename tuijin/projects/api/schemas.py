"""The JSON shapes of the ledger API. Field names are the model field names; money is 万元 with two decimals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

BatchName = Literal["signed", "started", "production"]


class PeriodOut(Schema):
    number: int
    name: str
    date: datetime.date


class PeriodIn(Schema):
    number: int = Field(..., ge=1)
    date: datetime.date
    name: str = ""


class PeriodPatch(Schema):
    name: str | None = None
    date: datetime.date | None = None


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    region: str = Field(..., description="region code")
    region_name: str
    enterprise: int = Field(..., description="enterprise (organisation) id")
    enterprise_name: str
    industry: str
    nature: str
    content: str
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    total_investment: Decimal = Field(..., description="万元")
    annual_plan: Decimal | None = Field(None, description="plan for the calendar year of the list's date, 万元")
    batch: BatchName | None = Field(None, description="batch in the list shown (null: not in it)")
    listed_period: int | None = Field(None, description="period of the listing that gives the batch")
    stage: str = Field(..., description="lifecycle stage as of the list's date")
    signed_on: datetime.date | None
    planned_started_on: datetime.date | None
    started_on: datetime.date | None
    planned_production_on: datetime.date | None
    production_on: datetime.date | None
    effective_on: datetime.date | None
    leader: int | None
    leader_name: str | None
    responsible_unit: int | None
    responsible_unit_name: str | None
    responsible_person: str
    note: str
    created: datetime.datetime
    last_updated: datetime.datetime

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_enterprise(obj) -> int:
        return obj.enterprise_id

    @staticmethod
    def resolve_enterprise_name(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_leader(obj) -> int | None:
        return obj.leader_id

    @staticmethod
    def resolve_leader_name(obj) -> str | None:
        return obj.leader.name if obj.leader_id else None

    @staticmethod
    def resolve_responsible_unit(obj) -> int | None:
        return obj.responsible_unit_id

    @staticmethod
    def resolve_responsible_unit_name(obj) -> str | None:
        return obj.responsible_unit.name if obj.responsible_unit_id else None

    @staticmethod
    def resolve_annual_plan(obj) -> Decimal | None:
        return getattr(obj, "annual_plan", None)

    @staticmethod
    def resolve_batch(obj) -> str | None:
        return getattr(obj, "batch", None)

    @staticmethod
    def resolve_listed_period(obj) -> int | None:
        return getattr(obj, "listed_period", None)

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj.stage_on(getattr(obj, "as_of", None)).value


class ProjectFields(Schema):
    """Every writable project field; on PATCH only the fields sent are changed."""

    code: str | None = None
    name: str | None = None
    region: str | None = Field(None, description="region code")
    enterprise: int | None = Field(None, description="enterprise (organisation) id")
    industry: str | None = None
    nature: str | None = None
    content: str | None = None
    location: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    total_investment: Decimal | None = Field(None, description="万元")
    signed_on: datetime.date | None = None
    planned_started_on: datetime.date | None = None
    started_on: datetime.date | None = None
    planned_production_on: datetime.date | None = None
    production_on: datetime.date | None = None
    effective_on: datetime.date | None = None
    leader: int | None = Field(None, description="leader id")
    responsible_unit: int | None = Field(None, description="responsible unit (department) id")
    responsible_person: str | None = None
    note: str | None = None


class ProjectIn(ProjectFields):
    name: str
    region: str = Field(..., description="region code")
    enterprise: int = Field(..., description="enterprise (organisation) id")
    total_investment: Decimal = Field(..., description="万元")


class Totals(Schema):
    count: int
    total_investment: Decimal
    annual_plan: Decimal


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    as_of: datetime.date = Field(..., description="the date the list and its totals are taken at")
    scope: Literal["all", "current", "period"] = Field(
        ..., description="all: the whole ledger; current: the portfolio as of `as_of`; period: one period's list"
    )
    period: int | None
    totals: Totals
    items: list[ProjectOut]


class ListingOut(Schema):
    id: int
    project: int
    period: int
    period_name: str
    period_date: datetime.date
    batch: BatchName
    action: Literal["listed", "converted", "removed"]
    reason: str

    @staticmethod
    def resolve_project(obj) -> int:
        return obj.project_id

    @staticmethod
    def resolve_period(obj) -> int:
        return obj.period_id

    @staticmethod
    def resolve_period_name(obj) -> str:
        return str(obj.period)

    @staticmethod
    def resolve_period_date(obj) -> datetime.date:
        return obj.period.date


class ListingIn(Schema):
    period: int = Field(..., description="period number")
    batch: BatchName
    removed: bool = False
    reason: str = Field("", description="why the project was removed (调出)")


class Figures(Schema):
    count: int
    total_investment: Decimal
    annual_plan: Decimal
    signed: int
    started: int
    in_production: int
    effective: int


class BatchFigures(Schema):
    signed: Figures
    started: Figures
    production: Figures


class CampaignStats(Schema):
    as_of: str
    scope: Literal["current", "period"]
    period: int | None
    region: str | None
    unit: Literal["万元"]
    batches: BatchFigures
    total: Figures


class RowErrorOut(Schema):
    sheet: str
    row: int | None
    column: str
    value: str
    reason: str


class ImportErrors(Schema):
    detail: str
    errors: list[RowErrorOut]


class ImportResult(Schema):
    dry_run: bool
    summary: dict
    changes: list[dict]
    warnings: list[str]
