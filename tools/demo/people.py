"""Who applies, for what, where and when: a population drawn from a seed, the same for the same seed."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

# The grid companies the demonstration uses and county codes (GB/T 2260) that they serve.
REGIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "SGCC-BJ": (
        ("110101", "北京市东城区"),
        ("110105", "北京市朝阳区"),
        ("110108", "北京市海淀区"),
        ("110114", "北京市昌平区"),
    ),
    "SGCC-SH": (
        ("310101", "上海市黄浦区"),
        ("310104", "上海市徐汇区"),
        ("310112", "上海市闵行区"),
        ("310115", "上海市浦东新区"),
    ),
    "CSG-GZ": (
        ("440103", "广州市荔湾区"),
        ("440104", "广州市越秀区"),
        ("440106", "广州市天河区"),
        ("440113", "广州市番禺区"),
    ),
    "CSG-SZ": (
        ("440303", "深圳市罗湖区"),
        ("440304", "深圳市福田区"),
        ("440305", "深圳市南山区"),
        ("440306", "深圳市宝安区"),
    ),
}
GRID_COMPANIES: tuple[str, ...] = tuple(REGIONS)

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟 芳 娜 敏 静 磊 军 洋 勇 艳 杰 涛 明 超 秀英 华 平 刚 辉 强".split()
_TRADES = ("餐饮", "烘焙", "印务", "五金", "物流", "茶饮", "诊所", "设计工作室", "汽修", "花艺", "便利店", "健身")
_STREETS = ("建设路", "人民路", "解放路", "中山路", "和平街", "光明路", "新华街", "科技园路")

# What people apply for, and how often (weights): mostly residents and small/micro enterprises at low voltage.
_KINDS = (("resident", 46), ("small_micro", 30), ("other_lv", 11), ("hv_single", 10), ("hv_dual", 3))
_CAPACITIES = {
    "resident": (4, 6, 8, 10, 12, 16, 20, 25, 30),
    "small_micro": (15, 20, 30, 40, 50, 63, 80, 100, 125, 160),
    "other_lv": (20, 30, 50, 63, 80, 100),
    "hv_single": (250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000),
    "hv_dual": (800, 1000, 1250, 1600, 2000, 2500, 3150),
}
_BUSINESS = {
    "resident": (("new_install", 86), ("capacity_increase", 9), ("temporary", 5)),
    "small_micro": (("new_install", 80), ("capacity_increase", 14), ("temporary", 6)),
    "other_lv": (("new_install", 85), ("capacity_increase", 15)),
    "hv_single": (("new_install", 75), ("capacity_increase", 25)),
    "hv_dual": (("new_install", 80), ("capacity_increase", 20)),
}
_CHANNELS = (("app", 48), ("web", 22), ("wechat", 18), ("hall", 12))
# Arrivals stop before the end, so that most cases can finish within the simulated span.
ARRIVAL_SHARE = 0.85
NON_WORKING_DAY_WEIGHT = 0.3


def rng_for(seed: int, *key: object) -> random.Random:
    """A generator of its own for one thing, so that the order things happen in changes nothing."""
    return random.Random("/".join(map(str, (seed, *key))))  # noqa: S311 - a simulation, not a secret


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


@dataclass(frozen=True)
class Case:
    """One application's facts, as the applicant fills them in."""

    kind: str
    customer_type: str
    small_micro: bool
    business_type: str
    capacity_kva: int
    dual_supply: bool
    region: str
    address: str
    channel: str

    def body(self) -> dict[str, object]:
        """The case as precheck and application bodies carry it."""
        return {
            "customer_type": self.customer_type,
            "small_micro": self.small_micro,
            "business_type": self.business_type,
            "capacity_kva": self.capacity_kva,
            "dual_supply": self.dual_supply,
            "region": self.region,
        }


@dataclass(frozen=True)
class Applicant:
    """Someone who registers, uploads documents once and applies, and how they tend to behave."""

    index: int
    username: str
    password: str
    name: str
    phone: str
    first: Case
    arrives: int  # day index of the simulation
    second: Case | None
    second_day: int | None
    forgetful: bool  # applies without the precheck and learns from the 422 what is missing
    id_card_expires_in: int | None  # days after arrival; None for a card valid for years
    id_card_as_photo: bool
    withdraw_after: int | None  # days after applying; None for someone who never withdraws
    rates: bool


def _case(rng: random.Random, kind: str, company: str) -> Case:
    region, district = rng.choice(REGIONS[company])
    customer_type = "resident" if kind == "resident" else "enterprise"
    if kind in ("other_lv", "hv_dual") and rng.random() < 0.5:
        customer_type = "public_institution"
    street = f"{district}{rng.choice(_STREETS)}{rng.randint(1, 399)}号"
    return Case(
        kind=kind,
        customer_type=customer_type,
        small_micro=kind == "small_micro",
        business_type=_weighted(rng, _BUSINESS[kind]),
        capacity_kva=rng.choice(_CAPACITIES[kind]),
        dual_supply=kind == "hv_dual",
        region=region,
        address=street if kind == "resident" else f"{street}{rng.randint(1, 30)}层",
        channel=_weighted(rng, _CHANNELS),
    )


def _second(rng: random.Random, first: Case) -> Case:
    """A later application by the same person: more capacity, or a second site in the same district."""
    if first.kind == "small_micro" and rng.random() < 0.5:
        return replace(first, business_type="new_install", address=f"{first.address}（二店）")
    bigger = _CAPACITIES[first.kind]
    capacity = next((c for c in bigger if c > first.capacity_kva), first.capacity_kva)
    return replace(first, business_type="capacity_increase", capacity_kva=capacity)


def arrival_days(seed: int, count: int, days: Sequence[date], is_working: Callable[[date], bool]) -> list[int]:
    """The day index each applicant first applies on: fewer on days off, none in the last stretch."""
    last = max(1, int(len(days) * ARRIVAL_SHARE))
    weights = [1.0 if is_working(day) else NON_WORKING_DAY_WEIGHT for day in days[:last]]
    rng = rng_for(seed, "arrivals")
    return sorted(rng.choices(range(last), weights=weights, k=count))


def population(seed: int, arrivals: Sequence[int], *, days: int, prefix: str, secret: str) -> list[Applicant]:
    """Applicants who arrive on the given day indexes; seed and count decide everything but the passwords."""
    people = []
    for index, arrives in enumerate(arrivals, start=1):
        rng = rng_for(seed, "applicant", index)
        kind = _weighted(rng, _KINDS)
        first = _case(rng, kind, rng.choice(GRID_COMPANIES))
        second_day = arrives + rng.randint(12, 45) if days > 1 else arrives
        comes_back = rng.random() < 0.18 and second_day < days
        people.append(
            Applicant(
                index=index,
                username=f"{prefix}a{index:04d}",
                password=f"{secret}-{index:04d}",
                name=rng.choice(_SURNAMES) + rng.choice(_GIVEN),
                phone=f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
                first=first,
                arrives=arrives,
                second=_second(rng, first) if comes_back else None,
                second_day=second_day if comes_back else None,
                forgetful=rng.random() < 0.10,
                id_card_expires_in=rng.randint(10, 40) if rng.random() < 0.10 else None,
                id_card_as_photo=rng.random() < 0.5,
                withdraw_after=rng.randint(0, 8) if rng.random() < 0.04 else None,
                rates=rng.random() < 0.85,
            )
        )
    return people


def organisation_name(applicant: Applicant, case: Case) -> str:
    """The name an organisation applies under; a resident applies in their own name."""
    if case.customer_type == "resident":
        return applicant.name
    rng = rng_for(0, "organisation", applicant.username)
    return f"{applicant.name[0]}记{rng.choice(_TRADES)}有限公司"


def valid_until(applicant: Applicant, document_type: str, uploaded_on: date) -> date:
    """How long a document stays valid: years, except the short-lived ID cards some people hold."""
    if document_type == "id_card" and applicant.id_card_expires_in is not None:
        return uploaded_on + timedelta(days=applicant.id_card_expires_in)
    rng = rng_for(0, "validity", applicant.username, document_type)
    return date(uploaded_on.year + rng.randint(3, 15), rng.randint(1, 12), 28)
