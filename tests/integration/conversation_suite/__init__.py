"""The conversation test suite: multi-turn cases in tests/conversations/ driven through the real system."""
