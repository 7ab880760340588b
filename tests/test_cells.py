"""The reader's unvalidated values are the values validation would make."""

from __future__ import annotations

import itertools
import pickle
from decimal import Decimal

from xlperf.forms.base import Val
from xlperf.reader.cells import val


def test_val_equals_the_validated_model_in_every_way_used() -> None:
    for cell, value, decimals, percent, formula, typed in itertools.product(
        (None, "B7"),
        (None, "文字", Decimal("0.803")),
        (None, 3),
        (False, True),
        (None, "=A1"),
        (False, True),
    ):
        kw = dict(
            cell=cell, value=value, decimals=decimals, percent=percent, formula=formula, typed=typed
        )
        fast, slow = val(**kw), Val(**kw)
        assert fast == slow and hash(fast) == hash(slow)
        assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
        assert fast.model_dump() == slow.model_dump()
        assert fast.number == slow.number and fast.text == slow.text
        assert fast.rate_fraction() == slow.rate_fraction()
        assert pickle.loads(pickle.dumps(fast)) == slow
        assert fast.model_copy(update={"cell": "C1"}) == slow.model_copy(update={"cell": "C1"})


def test_val_stays_frozen() -> None:
    v = val(cell="A1")
    try:
        v.cell = "A2"  # type: ignore[misc]
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError
        assert "frozen" in str(exc)
    else:
        raise AssertionError("a Val must not change")


def test_built_forms_equal_the_validated_models() -> None:
    from xlperf.forms.base import build
    from xlperf.forms.project import FundRow, Funds, Indicator, ProjectForm

    name = val(cell="C9", value="培训人数")
    weight = val(cell="G9", value=Decimal(20), decimals=0, typed=True)
    cases = [
        (ProjectForm, {"sheet": "项目", "first_row": 1, "last_row": 20}),
        (ProjectForm, {"sheet": "项目", "first_row": 1, "last_row": 20, "readings": ["读法"]}),
        (Indicator, {"row": 9, "name": name, "weight": weight, "level1_declared_weight": None}),
        (FundRow, {"label_cell": "A5", "weight": weight}),
        (Funds, {"total": FundRow(label_cell="A5")}),
    ]
    for model, fields in cases:
        fast, slow = build(model, fields), model(**fields)
        assert fast == slow
        assert fast.model_dump_json() == slow.model_dump_json()  # the fields in order too
        assert pickle.loads(pickle.dumps(fast)) == slow
    one, other = build(ProjectForm, cases[0][1]), build(ProjectForm, cases[0][1])
    assert one.indicators is not other.indicators and one.funds is not other.funds
