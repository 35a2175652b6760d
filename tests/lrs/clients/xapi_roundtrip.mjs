// Drives the LRS with @xapi/xapi (an independent client) through every resource it supports.
// Usage: node xapi_roundtrip.mjs <endpoint> <key> <secret>; prints one JSON line per step, exits 1 on failure.
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import XAPI from "@xapi/xapi";

const [endpoint, key, secret] = process.argv.slice(2);
const xapi = new XAPI({ endpoint, auth: XAPI.toBasicAuth(key, secret), adapter: "fetch" });
const agent = { objectType: "Agent", name: "Node Learner", mbox: `mailto:node-${randomUUID()}@example.com` };
const activityId = `https://example.com/courses/node/${randomUUID()}`;
const registration = randomUUID();

function statement(verb, extra = {}) {
  return {
    id: randomUUID(), actor: agent, verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { "en-US": verb } },
    object: { objectType: "Activity", id: activityId, definition: { name: { "en-US": "Node course" } } },
    context: { registration }, ...extra,
  };
}

async function step(name, action) {
  try {
    await action();
    console.log(JSON.stringify({ step: name, ok: true }));
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: false, error: String(error?.stack ?? error) }));
    process.exitCode = 1;
  }
}

const sent = statement("experienced");
await step("about", async () => {
  const about = (await xapi.getAbout()).data;
  assert.ok(about.version.includes("1.0.3"));
});
await step("sendStatement", async () => {
  const response = await xapi.sendStatement({ statement: sent });
  assert.deepEqual(response.data, [sent.id]);
});
await step("getStatement", async () => {
  const got = (await xapi.getStatement({ statementId: sent.id })).data;
  assert.equal(got.id, sent.id);
  assert.deepEqual(got.actor, agent);
  assert.ok(got.stored && got.authority);
});
await step("sendStatements and getStatements with a filter and more", async () => {
  const batch = [statement("attempted"), statement("completed"), statement("passed")];
  const ids = (await xapi.sendStatements({ statements: batch })).data;
  assert.deepEqual(ids, batch.map((item) => item.id));
  const seen = [];
  let page = (await xapi.getStatements({ registration, limit: 2, ascending: true })).data;
  seen.push(...page.statements.map((item) => item.id));
  while (page.more) {
    page = (await xapi.getMoreStatements({ more: page.more })).data;
    seen.push(...page.statements.map((item) => item.id));
  }
  assert.deepEqual(seen, [sent.id, ...ids]);
  const byVerb = (await xapi.getStatements({ agent, verb: "http://adlnet.gov/expapi/verbs/passed" })).data;
  assert.deepEqual(byVerb.statements.map((item) => item.id), [batch[2].id]);
});
await step("sendStatement with an attachment, getStatement with attachments", async () => {
  const content = new TextEncoder().encode("certificate of completion");
  const sha2 = createHash("sha256").update(content).digest("hex");
  const withAttachment = statement("completed", { attachments: [{
    usageType: "http://id.tincanapi.com/attachment/certificate_of_completion", display: { "en-US": "Certificate" },
    contentType: "text/plain", length: content.byteLength, sha2 }] });
  await xapi.sendStatement({ statement: withAttachment, attachments: [content.buffer] });
  const got = await xapi.getStatement({ statementId: withAttachment.id, attachments: true });
  assert.equal(got.status, 200);
  const text = typeof got.data === "string" ? got.data : JSON.stringify(got.data);
  assert.ok(text.includes(withAttachment.id) || JSON.stringify(got.data).includes(withAttachment.id));
});
await step("voidStatement, getVoidedStatement", async () => {
  const voiding = (await xapi.voidStatement({ actor: agent, statementId: sent.id })).data;
  assert.equal(voiding.length, 1);
  const voided = (await xapi.getVoidedStatement({ voidedStatementId: sent.id })).data;
  assert.equal(voided.id, sent.id);
  await assert.rejects(xapi.getStatement({ statementId: sent.id }));
});
await step("state: set, get, create (merge), list, delete", async () => {
  await xapi.setState({ agent, activityId, registration, stateId: "bookmark", state: { page: 3 } });
  await xapi.createState({ agent, activityId, registration, stateId: "bookmark", state: { score: 7 } });
  const state = (await xapi.getState({ agent, activityId, registration, stateId: "bookmark" })).data;
  assert.deepEqual(state, { page: 3, score: 7 });
  const ids = (await xapi.getStates({ agent, activityId, registration })).data;
  assert.deepEqual(ids, ["bookmark"]);
  await xapi.deleteState({ agent, activityId, registration, stateId: "bookmark" });
  await assert.rejects(xapi.getState({ agent, activityId, registration, stateId: "bookmark" }));
  await xapi.setState({ agent, activityId, stateId: "a", state: { a: 1 } });
  await xapi.deleteStates({ agent, activityId });
  assert.deepEqual((await xapi.getStates({ agent, activityId })).data, []);
});
await step("activity profile: set with If-None-Match, get, create (merge) with ETag, list, delete", async () => {
  await xapi.setActivityProfile({ activityId, profileId: "settings", profile: { theme: "dark" },
    etag: "*", matchHeader: "If-None-Match" });
  const first = await xapi.getActivityProfile({ activityId, profileId: "settings" });
  assert.deepEqual(first.data, { theme: "dark" });
  const etag = first.headers.etag ?? first.headers.ETag;
  await xapi.createActivityProfile({ activityId, profileId: "settings", profile: { size: 2 }, etag,
    matchHeader: "If-Match" });
  assert.deepEqual((await xapi.getActivityProfile({ activityId, profileId: "settings" })).data,
    { theme: "dark", size: 2 });
  assert.deepEqual((await xapi.getActivityProfiles({ activityId })).data, ["settings"]);
  await xapi.deleteActivityProfile({ activityId, profileId: "settings" });
  assert.deepEqual((await xapi.getActivityProfiles({ activityId })).data, []);
});
await step("agent profile: set, get, create (merge), list, delete", async () => {
  await xapi.setAgentProfile({ agent, profileId: "prefs", profile: { language: "fr" },
    etag: "*", matchHeader: "If-None-Match" });
  const first = await xapi.getAgentProfile({ agent, profileId: "prefs" });
  const etag = first.headers.etag ?? first.headers.ETag;
  await xapi.createAgentProfile({ agent, profileId: "prefs", profile: { audio: "on" }, etag, matchHeader: "If-Match" });
  assert.deepEqual((await xapi.getAgentProfile({ agent, profileId: "prefs" })).data, { language: "fr", audio: "on" });
  assert.deepEqual((await xapi.getAgentProfiles({ agent })).data, ["prefs"]);
  await xapi.deleteAgentProfile({ agent, profileId: "prefs" });
  assert.deepEqual((await xapi.getAgentProfiles({ agent })).data, []);
});
await step("activities: merged definition", async () => {
  const activity = (await xapi.getActivity({ activityId })).data;
  assert.equal(activity.id, activityId);
  assert.deepEqual(activity.definition.name, { "en-US": "Node course" });
});
await step("agents: Person", async () => {
  const person = (await xapi.getAgent({ agent })).data;
  assert.equal(person.objectType, "Person");
  assert.deepEqual(person.mbox, [agent.mbox]);
  assert.ok(person.name.includes("Node Learner"));
});
