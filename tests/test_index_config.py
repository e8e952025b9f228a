"""config/indices.toml: 15 indices in 4 dimensions, validation against the data."""

from __future__ import annotations

import tomllib

import pytest

from analytics.index.config import CONFIG_PATH, ConfigError, load_config, parse_config, validate
from seeds import catalog


def _raw() -> dict:
    with CONFIG_PATH.open("rb") as fh:
        return tomllib.load(fh)


def test_fifteen_indices_in_four_dimensions() -> None:
    cfg = load_config()
    assert [name for _, name in cfg.dimensions] == ["经济社会", "社会稳定", "生活和谐", "生态文明"]
    assert len(cfg.indices) == 15
    assert [len(cfg.members(d)) for d, _ in cfg.dimensions] == [5, 4, 4, 2]
    assert cfg.index("performance").direction == "positive" and cfg.index("performance").measure == "share"
    assert all(ix.direction == "risk" for ix in cfg.indices if ix.id != "performance")
    assert cfg.index("commercial").denominator == "enterprises"
    assert cfg.method.monte_carlo.draws == 500


def test_every_index_counts_something_in_the_generated_data() -> None:
    causes = {c.name for group in catalog.CAUSES_BY_TYPE.values() for c in group}
    groups = {c.group for group in catalog.CAUSES_BY_TYPE.values() for c in group}
    warnings = validate(load_config(), causes, groups)
    assert not [w for w in warnings if "no selection can match" in w]
    # absent causes are named as warnings, e.g. 集资诈骗罪 (not generated)
    assert any("集资诈骗罪" in w for w in warnings)
    assert not any("非法捕捞水产品罪" in w for w in warnings)


def test_absent_everything_is_a_warning_not_an_error() -> None:
    warnings = validate(load_config(), causes=["盗窃罪"], cause_groups=["x"])
    assert any(w.startswith("长江生物资源") and "no selection can match" in w for w in warnings)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["index"][0].update(dimension="nowhere"), "unknown dimension"),
        (lambda r: r["index"][4].pop("base"), "a share needs a base"),
        (lambda r: r["index"][0]["count"].__setitem__(0, {}), "is empty"),
        (lambda r: r["index"][1].update(id="commercial"), "duplicate index ids"),
        (lambda r: r["index"][0].update(direction="up"), "invalid"),
        (lambda r: r["method"].update(colour="red"), "unknown field"),
    ],
)
def test_malformed_config_is_refused_bilingually(change, message: str) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_unreadable_or_malformed_file(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[method\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed"):
        load_config(bad)
