"""notify layer (NOTIFY.md): what the app sends, to whom, when; the outbox that sends it once; the channels.

config.py reads `[notify]` of the secrets file; rules.py computes the messages due at a moment from the
METRICS.md figures over each recipient's scope; render.py writes them in the recipient's language
(escaped for HTML and for markdown); outbox.py queues them once per key and claims rows for delivery;
channels.py speaks SMTP and the WeCom, DingTalk and Feishu robots; run.py ties them together for the CLI
and the pages.
"""
