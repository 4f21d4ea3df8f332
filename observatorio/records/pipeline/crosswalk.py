"""A source's labels onto the common category tree, through the versioned `CategoryLabel` table.

Labels are matched by `names.name_key` ("ROBO POR SORPRESA" is "Robo por
sorpresa"). When a label has entries in several versions, the newest entry
(highest id) is in force, unless the mapping options pin one version
(``crosswalk_version``). Correcting a label never edits an entry: it adds
one under a new version, so what a past batch was mapped with stays known.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from observatorio.errors import UserError

from .names import name_key


def load_crosswalk(source, version: str | None = None) -> dict[str, tuple[int, str]]:
    """``{label key: (category id, version)}`` in force for `source`."""
    from observatorio.records.models import CategoryLabel

    rows = CategoryLabel.objects.filter(source=source)
    if version:
        rows = rows.filter(version=version)
    out: dict[str, tuple[int, str]] = {}
    for label, category_id, ver in rows.order_by("id").values_list("label", "category_id", "version"):
        out[name_key(label)] = (category_id, ver)
    return out


def seed_default_crosswalk(source, config, complete: bool = False) -> int:
    """Write the kind's default labels the first time a source is used; returns entries added.

    With `complete`, add the default labels a source that already has a label table lacks (the demo's sources,
    seeded with the labels of its own events, so that an operator's real file is not rejected); a label the
    table has, in any spelling, is left as it is.
    """
    from observatorio.records.models import Category, CategoryLabel
    from observatorio.records.taxonomy import seed_taxonomy

    existing = CategoryLabel.objects.filter(source=source)
    if not config.crosswalk or (existing.exists() and not complete):
        return 0
    if not Category.objects.exists():
        seed_taxonomy()
    known = {name_key(label) for label in existing.values_list("label", flat=True)}
    by_code = dict(Category.objects.values_list("code", "id"))
    entries = [CategoryLabel(source=source, label=label, category_id=by_code[code], version=config.crosswalk_version)
               for label, code in config.crosswalk.items() if code in by_code and name_key(label) not in known]
    CategoryLabel.objects.bulk_create(entries, ignore_conflicts=True)
    return len(entries)


@transaction.atomic
def set_label(source, label: str, category_code: str):
    """Map `label` to the category `category_code`; returns ``(CategoryLabel, created)``.

    Raises ValueError naming close category codes when the code is unknown.
    """
    from observatorio.records.models import Category, CategoryLabel

    label = label.strip()
    if not label:
        raise UserError(gettext("la etiqueta está vacía; escríbala como en el archivo, p. ej. «Ruidos molestos=ruidos»"))
    try:
        category = Category.objects.get(code=category_code.strip())
    except Category.DoesNotExist:
        codes = sorted(Category.objects.values_list("code", flat=True))
        near = [c for c in codes if category_code.strip()[:4] and category_code.strip()[:4] in c][:10] or codes[:20]
        raise UserError(gettext("no hay una categoría «%(code)s»; hay, entre otras: %(near)s (véalas con "
                                "`observatorio crosswalk FUENTE --categories`)")
                        % {"code": category_code, "near": ", ".join(near)}) from None
    key = name_key(label)
    same = [e for e in CategoryLabel.objects.filter(source=source).order_by("id") if name_key(e.label) == key]
    if same and same[-1].category_id == category.id:
        return same[-1], False
    numeric = [int(e.version) for e in same if e.version.isdigit()]
    version = "1" if not same else str(max(numeric, default=1) + 1)
    taken = {e.version for e in same}
    while version in taken:
        version = str(int(version) + 1)
    return CategoryLabel.objects.create(source=source, label=label, category=category, version=version), True
