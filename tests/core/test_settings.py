"""The settings schema is the one owner of every setting: the engine's defaults, the project's
checks and the command line's options agree with it."""

import argparse
import dataclasses

import pytest

from mlp_desktop.core import settings
from mlp_desktop.core.errors import DataError
from mlp_desktop.core.model import NetworkSpec
from mlp_desktop.core.project import usable_parameters
from mlp_desktop.core.training import TrainConfig


def test_engine_defaults_agree_with_the_schema():
    config, spec = TrainConfig(), NetworkSpec()
    for name in settings.names("learning"):
        if name == "loss":
            assert spec.loss == settings.SETTINGS["loss"].default
        else:
            assert getattr(config, name) == settings.SETTINGS[name].default, name
    for name in settings.names("init"):
        assert getattr(spec, name) == settings.SETTINGS[name].default, name


def test_every_user_field_of_the_engine_has_a_setting():
    internal = {"loss"}  # TrainConfig.loss is resolved from the task by the session
    fields = {f.name for f in dataclasses.fields(TrainConfig)} - internal
    missing = fields - set(settings.SETTINGS)
    assert not missing, missing


@pytest.mark.parametrize("name, good, bad", [
    ("learning_rate", "0.5", "0.0x5"), ("learning_rate", 1e-3, 0), ("epochs", 10, 1.5), ("momentum", 0.9, 1.0),
    ("batch_size", None, 0), ("seed", 7, -1), ("init", "Glorot", "magic"), ("init_range", ("-1", "2"), (1, 1)),
    ("validation_fraction", 0.2, 0.95), ("shuffle", True, "yes"), ("loss", "cross-entropy", "hinge"),
])
def test_values_are_checked_with_plain_messages(name, good, bad):
    settings.SETTINGS[name].check(good)
    with pytest.raises(DataError) as error:
        settings.SETTINGS[name].check(bad)
    assert settings.SETTINGS[name].label.lower() in str(error.value).lower()


def test_out_of_range_messages_name_the_range():
    with pytest.raises(DataError, match="from 0 to below 1"):
        settings.SETTINGS["momentum"].check(1.5)


def test_project_files_keep_only_what_the_schema_accepts():
    usable, ignored = usable_parameters({"learning_rate": 0.1, "epochs": -5, "init": "he", "colour": "red"})
    assert usable == {"learning_rate": 0.1, "init": "he"}
    assert ignored == ["colour", "epochs"]


def test_command_line_options_come_from_the_schema():
    parser = argparse.ArgumentParser()
    settings.add_arguments(parser, settings.names("learning") + settings.names("init"))
    args = parser.parse_args(["--lr", "0.2", "--batch-size", "full", "--init-range=-2,2", "--loss", "cross-entropy"])
    settings.check_arguments(args, settings.names("learning") + settings.names("init"))
    assert (args.learning_rate, args.batch_size, args.init_range, args.loss) == (0.2, None, (-2.0, 2.0), "cross_entropy")
    args = parser.parse_args(["--momentum", "2"])
    with pytest.raises(DataError, match="Momentum must be from 0 to below 1"):
        settings.check_arguments(args, ["momentum"])


def test_options_read_numbers_as_people_type_them():
    """``--epochs 1,000`` is a thousand epochs, as "1,000" in a data file is a thousand (it was one)."""
    parser = argparse.ArgumentParser()
    settings.add_arguments(parser, ["epochs", "learning_rate"])
    args = parser.parse_args(["--epochs", "1,000", "--lr", "0,05"])
    settings.check_arguments(args, ["epochs", "learning_rate"])
    assert (args.epochs, args.learning_rate) == (1000, 0.05)
    with pytest.raises(DataError, match="Epochs must be a number: .1e400. is too large"):
        settings.SETTINGS["epochs"].check("1e400")
    with pytest.raises(DataError, match="could be read two ways"):
        settings.SETTINGS["epochs"].check("1234,567")


def _accepts(make, value) -> bool:
    try:
        make(value)
    except DataError:
        return False
    return True


CROSS_FIELD_CONTEXT = {"nesterov": {"momentum": 0.9}}
"""Other settings a value needs to be allowed at all (TrainConfig's cross-field checks)."""


@pytest.mark.parametrize("name", [n for n in settings.names("learning") if n != "loss"] + ["validation_fraction"])
def test_the_engine_allows_what_the_schema_allows(name):
    """TrainConfig checks its own fields (it is used from Python too); at every edge of the schema's
    allowed values it must agree with the schema."""
    setting = settings.SETTINGS[name]
    candidates = [setting.default, None, True, "abc", float("nan"), float("inf")]
    for edge in (setting.minimum, setting.maximum):
        if edge is not None:
            candidates += [edge, edge - 1e-9, edge + 1e-9, edge - 1, edge + 1]
    if setting.kind == "whole":
        candidates += [1.5, 7]
    for value in candidates:
        engine = _accepts(lambda v: TrainConfig(**{**CROSS_FIELD_CONTEXT.get(name, {}), name: v}), value)
        schema = _accepts(setting.check, value)
        assert engine == schema, (name, value, engine, schema)
