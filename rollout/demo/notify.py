"""The demo's notification channels: configured-looking, contacting nobody.

The demo portfolio's people have addresses at demo.example, and these channels point at `.invalid`
hosts (a name that never resolves, RFC 2606), so the Notifications page can preview a realistic day
while nothing can ever be delivered.
"""

from __future__ import annotations

from rollout.notify.config import NotifyConfig, Robot, Smtp

DEMO_HOST = "demo.invalid"


def demo_config() -> NotifyConfig:
    """Channels for the demo: one SMTP server and a robot of each kind, every address unreachable."""
    robots = (Robot("east", "wecom", f"https://{DEMO_HOST}/cgi-bin/webhook/send?key=demo-east", None,
                    frozenset({"EAST"})),
              Robot("north", "dingtalk", f"https://{DEMO_HOST}/robot/send?access_token=demo-north", "SECdemo",
                    frozenset({"NORTH"})),
              Robot("all", "feishu", f"https://{DEMO_HOST}/open-apis/bot/v2/hook/demo-all", "demo"))
    return NotifyConfig("http://localhost:8501", "Asia/Shanghai", "zh",
                        Smtp(f"smtp.{DEMO_HOST}", 465, "ssl", "ERP rollout <rollout@demo.example>"), robots)
