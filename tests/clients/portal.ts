// A county portal's TypeScript, type-checked against the types openapi-typescript generates
// from openapi/openapi.json (`tsc --strict --noEmit`): a change to the document that breaks
// this code fails CI.
import type { components, paths } from "./minhu";

type NewPetition = components["schemas"]["NewPetition"];
type Petition = components["schemas"]["Petition"];
type PetitionPage =
  paths["/api/v1/petitions"]["get"]["responses"]["200"]["content"]["application/json"];
type TrackResponse =
  paths["/api/v1/track/{tracking_no}"]["get"]["responses"]["200"]["content"]["application/json"];
type TokenBody = paths["/api/v1/auth/token"]["post"]["requestBody"];

export async function submitForResident(
  base: string,
  token: string,
  body: NewPetition,
  idempotencyKey: string,
): Promise<Petition> {
  const res = await fetch(`${base}/api/v1/petitions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "idempotency-key": idempotencyKey,
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(await res.text());
  return (await res.json()) as Petition;
}

export function trackingNumbers(page: PetitionPage): string[] {
  return page.items.map((p: Petition) => p.tracking_no);
}

export function statusOf(t: TrackResponse): string {
  return t.status;
}

export const credentials: NonNullable<TokenBody>["content"]["application/json"] = {
  client_id: "portal",
  client_secret: "secret",
};

export const example: NewPetition = {
  kind: "help",
  category_id: 1,
  urgency: "normal",
  title: "小区门口路灯不亮",
  content: "两盏路灯已经一周不亮。",
  contact_name: "王女士",
  contact_phone: "13800138000",
};
