"""Coded values of the registry; labels are translated, codes never change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommunityKind(models.TextChoices):
    GLOBAL = "global", _("Global biocommunity")
    REGIONAL = "regional", _("Regional biocommunity")


class OrganizationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    COMPANY = "company", _("Company")
    VENTURE = "venture", _("Startup / venture")
    INVESTMENT_FUND = "investment_fund", _("Investment fund")
    INCUBATOR = "incubator", _("Incubation organisation")
    BIOMANUFACTURING = "biomanufacturing", _("Biomanufacturing demonstration")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    HOSPITAL = "hospital", _("Hospital")
    SUPPORT_ORGANIZATION = "support_organization", _("Support organisation")
    BIO_ASSOCIATION = "bio_association", _("Bio industry association")
    CDMO = "cdmo", _("CDMO")
    GOVERNMENT_AGENCY = "government_agency", _("Central government")


class HubFunction(models.TextChoices):
    CONTACT_POINT = "contact_point", _("Contact point")
    INDUSTRY_ACADEMIA = "industry_academia", _("Industry–academia collaboration")
    INCUBATION = "incubation", _("Incubation")
    TALENT = "talent", _("Talent development")
    FUNDING = "funding", _("Funding")
    HOSPITAL_CLINICAL = "hospital_clinical", _("Hospital and clinical research")
    BUSINESS_SUPPORT = "business_support", _("Business support")
    RESEARCH_EDUCATION = "research_education", _("Research and education")


class CouncilRole(models.TextChoices):
    CHAIR = "chair", pgettext_lazy("council role", "Chair")
    VICE_CHAIR = "vice_chair", pgettext_lazy("council role", "Vice-chair")
    MEMBER = "member", pgettext_lazy("council role", "Member")
    OBSERVER = "observer", pgettext_lazy("council role", "Observer")
    SUPPORTER = "supporter", pgettext_lazy("council role", "Supporter")


class ProgrammeKind(models.TextChoices):
    CERTIFIED_VC = "certified_vc", _("Certified venture capital")
    DRUG_DISCOVERY_STARTUP = "drug_discovery_startup", _("Funded drug-discovery startup")
    BIOFOUNDRY = "biofoundry", _("Biofoundry site")
    VACCINE_DUAL_USE = "vaccine_dual_use", _("Vaccine dual-use site")
    CDMO = "cdmo", _("Domestic CDMO")
    PARTS_MATERIALS = "parts_materials", _("Parts and materials supplier")


# JIS X 0401 prefecture codes with names; import accepts the code, either name or "JP-13".
PREFECTURES: list[tuple[str, str, str]] = [
    ("01", "北海道", "Hokkaido"),
    ("02", "青森県", "Aomori"),
    ("03", "岩手県", "Iwate"),
    ("04", "宮城県", "Miyagi"),
    ("05", "秋田県", "Akita"),
    ("06", "山形県", "Yamagata"),
    ("07", "福島県", "Fukushima"),
    ("08", "茨城県", "Ibaraki"),
    ("09", "栃木県", "Tochigi"),
    ("10", "群馬県", "Gunma"),
    ("11", "埼玉県", "Saitama"),
    ("12", "千葉県", "Chiba"),
    ("13", "東京都", "Tokyo"),
    ("14", "神奈川県", "Kanagawa"),
    ("15", "新潟県", "Niigata"),
    ("16", "富山県", "Toyama"),
    ("17", "石川県", "Ishikawa"),
    ("18", "福井県", "Fukui"),
    ("19", "山梨県", "Yamanashi"),
    ("20", "長野県", "Nagano"),
    ("21", "岐阜県", "Gifu"),
    ("22", "静岡県", "Shizuoka"),
    ("23", "愛知県", "Aichi"),
    ("24", "三重県", "Mie"),
    ("25", "滋賀県", "Shiga"),
    ("26", "京都府", "Kyoto"),
    ("27", "大阪府", "Osaka"),
    ("28", "兵庫県", "Hyogo"),
    ("29", "奈良県", "Nara"),
    ("30", "和歌山県", "Wakayama"),
    ("31", "鳥取県", "Tottori"),
    ("32", "島根県", "Shimane"),
    ("33", "岡山県", "Okayama"),
    ("34", "広島県", "Hiroshima"),
    ("35", "山口県", "Yamaguchi"),
    ("36", "徳島県", "Tokushima"),
    ("37", "香川県", "Kagawa"),
    ("38", "愛媛県", "Ehime"),
    ("39", "高知県", "Kochi"),
    ("40", "福岡県", "Fukuoka"),
    ("41", "佐賀県", "Saga"),
    ("42", "長崎県", "Nagasaki"),
    ("43", "熊本県", "Kumamoto"),
    ("44", "大分県", "Oita"),
    ("45", "宮崎県", "Miyazaki"),
    ("46", "鹿児島県", "Kagoshima"),
    ("47", "沖縄県", "Okinawa"),
]
PREFECTURE_CODES = {code for code, _ja, _en in PREFECTURES}
PREFECTURE_NAMES = {code: (ja, en) for code, ja, en in PREFECTURES}


def prefecture_choices() -> list[tuple[str, str]]:
    return [(code, ja) for code, ja, _en in PREFECTURES]


def prefecture_name(code: str, language: str) -> str:
    names = PREFECTURE_NAMES.get(code)
    if names is None:
        return ""
    return names[0] if language.startswith("ja") else names[1]


def resolve_prefecture(text: str) -> str | None:
    """Map what people write (東京都, 東京, Tokyo, tokyo-to, 13, JP-13) to a JIS code."""
    value = text.strip()
    if not value:
        return None
    upper = value.upper()
    if upper.startswith("JP-"):
        value = upper[3:]
    if value.isdigit():
        code = value.zfill(2)
        return code if code in PREFECTURE_CODES else None
    folded = value.casefold().removesuffix("-to").removesuffix("-fu").removesuffix("-ken")
    for code, ja, en in PREFECTURES:
        short_ja = ja if ja == "北海道" else ja[:-1]
        if value in (ja, short_ja) or folded in (en.casefold(), f"{en.casefold()} prefecture"):
            return code
    return None
