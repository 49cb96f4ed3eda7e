MATRIX = {
    "core:healthz": {"expect": {"*": 200}},
}
