"""Seeds the common category tree (`observatorio.taxonomy`) and its CEAD crosswalk into the database."""

from __future__ import annotations

from django.db import transaction

from observatorio.taxonomy import CEAD_CATEGORIES, CEAD_CROSSWALK_VERSION, CEAD_LABELS, FAMILIES, MUNICIPAL_CATEGORIES


@transaction.atomic
def seed_taxonomy() -> int:
    """Create or refresh the tree; returns the number of categories."""
    from .models import Category

    families = {}
    for fam in FAMILIES:
        families[fam.code], _ = Category.objects.update_or_create(
            code=f"familia-{fam.code}",
            defaults={"name": fam.name, "family": fam.name, "is_crime": fam.is_crime, "parent": None},
        )
    for code, label, fam_code, dmcs, iccs in CEAD_CATEGORIES:
        fam = families[fam_code]
        Category.objects.update_or_create(
            code=code,
            defaults={"name": label, "parent": fam, "family": fam.name, "dmcs": dmcs, "iccs": iccs, "is_crime": True},
        )
    fam = families["no-delictual"]
    for code, name in MUNICIPAL_CATEGORIES:
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "parent": fam, "family": fam.name, "is_crime": False, "iccs": ""},
        )
    return Category.objects.count()


def seed_cead_crosswalk(source) -> None:
    from .models import Category, CategoryLabel

    by_code = {c.code: c for c in Category.objects.filter(code__in=CEAD_LABELS.values())}
    for label, code in CEAD_LABELS.items():
        CategoryLabel.objects.get_or_create(
            source=source, label=label, version=CEAD_CROSSWALK_VERSION, defaults={"category": by_code[code]}
        )
