"""The scripts here run with TensorFlow and Keras (see make_fixtures.py), not in the test suite."""
collect_ignore = ["make_fixtures.py", "check_roundtrip.py", "write_back.py"]
