"""Compares what an SDK model parsed with the JSON the emulator sent."""
import json


def assert_model_is_wire(model, raw):
    """Every field on the wire is one the model declares, and holds what was sent."""
    _compare(model, json.loads(raw), "body")


def _compare(model, wire, path):
    if hasattr(model, "attribute_map"):
        assert isinstance(wire, dict), f"{path}: {wire!r} is not an object"
        # Response headers (X-Subject-Token, …) are declared beside the body's fields.
        declared = {name: attr for attr, name in model.attribute_map.items() if not name.startswith("X-")}
        unknown = set(wire) - set(declared)
        assert not unknown, f"{path}: the model declares no field {sorted(unknown)}"
        for name, attr in declared.items():
            value = getattr(model, attr)
            if name in wire:
                _compare(value, wire[name], f"{path}.{name}")
            else:
                assert value is None, f"{path}.{name}: not sent, yet the model holds {value!r}"
    elif isinstance(wire, list):
        assert isinstance(model, list) and len(model) == len(wire), f"{path}: {model!r} != {wire!r}"
        for i, (m, w) in enumerate(zip(model, wire)):
            _compare(m, w, f"{path}[{i}]")
    else:
        assert model == wire, f"{path}: the model holds {model!r}, the wire {wire!r}"
