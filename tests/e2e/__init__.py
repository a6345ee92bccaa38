"""Browser journeys (Playwright + Chromium) against a real streamlit server."""
