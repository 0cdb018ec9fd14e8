"""The tests' SMTP server: aiosmtpd receiving on HOST:PORT, each message written as JSON
({from, to, subject, body}, headers decoded) to DIR/<recipient>/<n>.json before it answers
250, so a test that saw the server accept a message can read it at once.

    python server.py 127.0.0.1 2525 /var/cache/minhu/mail
"""

import email
import email.policy
import json
import os
import sys
import time

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, root):
        self.root = root

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"] or ""),
            "body": part.get_content() if part is not None else "",
        }
        for rcpt in envelope.rcpt_tos:
            folder = os.path.join(self.root, os.path.basename(rcpt))
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, f"{time.time_ns()}.json")
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            os.replace(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    host, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(root, exist_ok=True)
    controller = Controller(Keep(root), hostname=host, port=port)
    controller.start()
    print(f"SMTP on {host}:{port}, mail in {root}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
