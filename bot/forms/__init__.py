"""Modal forms: plain values out of `view.state.values`, validated by pydantic models."""
