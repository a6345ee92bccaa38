"""The Streamlit layer's shared helpers (pages stay thin: they read via rollout and draw)."""
