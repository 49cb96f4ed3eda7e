MATRIX = {
    "core:home": {"expect": {"*": 200}},
    "core:healthz": {"expect": {"*": 200}},
}
