"""The rollout analytics library: headless (no UI imports), used by the Streamlit app and the CLI."""
