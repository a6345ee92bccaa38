"""steering layer."""
