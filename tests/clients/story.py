"""A county portal's integration, written against the Python client that openapi-python-client
generates from openapi/openapi.json (package `minhu_api_client`), run against a live server:

an administrator issues the portal's credentials; the portal exchanges them for a token,
submits a petition for a resident (with an Idempotency-Key, retried once), reads it back,
finds it in its own list and registers a webhook; the resident tracks it without an account.

Usage: python story.py BASE_URL ADMIN_USERNAME ADMIN_PASSWORD. Exits non-zero on the first
step that does not go as documented.
"""

import sys
import uuid

from minhu_api_client import AuthenticatedClient, Client
from minhu_api_client.api.auth import issue_partner_token, login
from minhu_api_client.api.categories import list_categories
from minhu_api_client.api.partners import create_partner
from minhu_api_client.api.petitions import create_petition, find_petition, list_petitions
from minhu_api_client.api.public import track_petition
from minhu_api_client.api.webhooks import create_webhook, list_webhooks
from minhu_api_client.models import (
    ClientCredentials,
    LoginRequest,
    NewPartner,
    NewPetition,
    NewWebhook,
    PageCategory,
    PagePetition,
    PageWebhook,
    PartnerCredentials,
    Petition,
    PetitionKind,
    PetitionStatus,
    PublicPetition,
    TokenResponse,
    Urgency,
    WebhookCreated,
)


def expect(response, status, kind):
    """The response has `status` and parses as `kind`; otherwise the story stops here."""
    if response.status_code != status or not isinstance(response.parsed, kind):
        sys.exit(
            f"expected {status} {kind.__name__}, got {int(response.status_code)}: "
            f"{response.content.decode(errors='replace')[:500]}"
        )
    return response.parsed


def main(base, admin_user, admin_password):
    public = Client(base_url=base, raise_on_unexpected_status=True)

    admin_login = login.sync_detailed(
        client=public, body=LoginRequest(username=admin_user, password=admin_password)
    )
    admin = AuthenticatedClient(
        base_url=base, token=expect(admin_login, 200, TokenResponse).access_token
    )
    portal_name = f"修武县政务服务门户 {uuid.uuid4().hex[:6]}"
    creds = expect(
        create_partner.sync_detailed(client=admin, body=NewPartner(name=portal_name)),
        201,
        PartnerCredentials,
    )
    categories = expect(list_categories.sync_detailed(client=admin), 200, PageCategory)
    assert categories.items, "the demo city has categories"
    category = categories.items[0]

    # The portal exchanges its credentials for a token.
    token = expect(
        issue_partner_token.sync_detailed(
            client=public,
            body=ClientCredentials(client_id=creds.client_id, client_secret=creds.client_secret),
        ),
        200,
        TokenResponse,
    )
    assert token.user.role.value == "partner", token.user.role
    portal = AuthenticatedClient(base_url=base, token=token.access_token)

    # It submits for a resident; a retry with the same key returns the same petition.
    key = str(uuid.uuid4())
    body = NewPetition(
        kind=PetitionKind.HELP,
        category_id=category.id,
        urgency=Urgency.NORMAL,
        title="小区门口路灯不亮",
        content="建设路与人民路交叉口的两盏路灯已经一周不亮，晚上行人看不清路。",
        address="修武县建设路 12 号",
        contact_name="王女士",
        contact_phone="13800138000",
        publish_consent=True,
    )
    first = expect(
        create_petition.sync_detailed(client=portal, body=body, idempotency_key=key), 201, Petition
    )
    again = create_petition.sync_detailed(client=portal, body=body, idempotency_key=key)
    if again.status_code not in (200, 201) or again.parsed.id != first.id:
        sys.exit(f"a retry with the same Idempotency-Key made another petition: {again.content!r}")
    assert first.status == PetitionStatus.SUBMITTED, first.status
    assert first.tracking_no, "a tracking number"

    # It reads the petition back, and finds it in its own list.
    read = expect(find_petition.sync_detailed(first.id, client=portal), 200, Petition)
    assert (read.id, read.title, read.contact_phone) == (first.id, body.title, body.contact_phone), read
    mine = expect(list_petitions.sync_detailed(client=portal, per_page=100), 200, PagePetition)
    assert [p.id for p in mine.items] == [first.id], [p.id for p in mine.items]
    assert mine.total == 1, mine.total

    # It registers a webhook for the petition's progress.
    hook = expect(
        create_webhook.sync_detailed(
            client=portal,
            body=NewWebhook(
                url="https://portal.xiuwu.example/minhu/events",
                events=["petition.accepted", "petition.replied", "petition.closed"],
            ),
        ),
        201,
        WebhookCreated,
    )
    hooks = expect(list_webhooks.sync_detailed(client=portal), 200, PageWebhook)
    assert [h.id for h in hooks.items] == [hook.id], hooks

    # The resident tracks it without an account: progress, no personal data.
    tracked = expect(track_petition.sync_detailed(first.tracking_no, client=public), 200, PublicPetition)
    assert tracked.tracking_no == first.tracking_no, tracked
    assert "13800138000" not in str(tracked.to_dict()), "the phone number is masked"

    print(f"county portal story: ok ({first.tracking_no})")


if __name__ == "__main__":
    main(*sys.argv[1:4])
