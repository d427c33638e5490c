#!/usr/bin/python3
"""Drive OASIS taxii2-client (TAXII 2.1, taxii2client.v21) against a ctis node.

Usage: taxii2client_driver.py DISCOVERY_URL TOKEN ENVELOPE_FILE

Each step prints PASS or FAIL and what it saw; the exit status is the
number of failed steps. taxii2-client is imported from PYTHONPATH (its
source tree, as fetched); nothing of it is copied here.

ctis takes the API's bearer token and a purpose (Ctis-Purpose) on reads;
taxii2-client lets a caller give any requests auth object, and this one
sets both, and names the step (X-Interop-Step) for the recorder, which
does not forward that header.
"""
import json
import re
import sys
import traceback

import requests.auth

from taxii2client.common import TokenAuth
from taxii2client.v21 import Server, as_pages

MEDIA_TYPE_TAXII = "application/taxii+json;version=2.1"
PURPOSE = "interop run: taxii2-client"
STEP = {"name": ""}
RESULTS = []


class CtisAuth(requests.auth.AuthBase):
    """Authorization: Bearer, the purpose, and the step's name."""

    def __init__(self, token):
        self.token = token

    def __call__(self, r):
        r.headers["Authorization"] = "Bearer " + self.token
        r.headers["Ctis-Purpose"] = PURPOSE
        r.headers["X-Interop-Step"] = STEP["name"]
        return r


def step(name):
    """Run the decorated function as a step: PASS unless it raises."""
    def run(fn):
        STEP["name"] = name
        try:
            detail = fn()
        except Exception as e:  # a step fails, the run goes on
            RESULTS.append((name, False))
            print("FAIL  taxii2-client → ctis: %s: %s: %s" % (name, type(e).__name__, e))
            traceback.print_exc(limit=2, file=sys.stderr)
            return None
        RESULTS.append((name, True))
        print("PASS  taxii2-client → ctis: %s%s" % (name, " (%s)" % detail if detail else ""))
        return detail
    return run


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def main():
    discovery, token, envelope_file = sys.argv[1:4]
    with open(envelope_file, encoding="utf-8") as f:
        envelope = json.load(f)
    auth = CtisAuth(token)
    st = {}

    @step("discovery")
    def _():
        server = Server(discovery, auth=auth)
        expect(server.title, "no title")
        expect(server.api_roots, "no api_roots")
        expect(server.default is not None, "no default API root")
        st["server"] = server
        return "%d API root, title %r" % (len(server.api_roots), server.title)

    @step("taxii2-client's own TokenAuth (Authorization: Token <key>)")
    def _():
        server = Server(discovery, auth=TokenAuth(token))
        server._conn.session.headers["X-Interop-Step"] = STEP["name"]  # TokenAuth sets Authorization only
        expect(server.title, "no title")
        return "accepted"

    if "server" not in st:
        return

    @step("API root")
    def _():
        root = st["server"].default
        root.refresh_information()
        expect(MEDIA_TYPE_TAXII in root.versions, "versions %r" % root.versions)
        expect(root.max_content_length > 0, "max_content_length %r" % root.max_content_length)
        st["root"] = root
        return "versions %s, max_content_length %d" % (root.versions, root.max_content_length)

    @step("collections")
    def _():
        root = st["root"]
        root.refresh_collections()
        by_alias = {c.alias: c for c in root.collections}
        expect("own" in by_alias and "group-euro-ct" in by_alias, "aliases %r" % list(by_alias))
        expect(by_alias["own"].can_write and not by_alias["group-euro-ct"].can_write, "can_write")
        st["own"], st["group"] = by_alias["own"], by_alias["group-euro-ct"]
        return ", ".join(sorted(by_alias))

    if "group" not in st:
        return

    @step("collection")
    def _():
        c = st["group"]
        c.refresh()
        expect(c.can_read and c.media_types, "can_read %r, media_types %r" % (c.can_read, c.media_types))
        return c.title

    @step("objects, every page (limit 3, next)")
    def _():
        ids, pages = [], 0
        for env in as_pages(st["group"].get_objects, per_request=3):
            pages += 1
            objs = env.get("objects", [])
            expect(len(objs) <= 3, "page %d has %d objects" % (pages, len(objs)))
            if objs:
                h = env.resp.headers
                expect(h.get("X-TAXII-Date-Added-First") and h.get("X-TAXII-Date-Added-Last"),
                       "page %d lacks X-TAXII-Date-Added-First/Last" % pages)
            ids += [o["id"] for o in objs]
        expect(pages > 1, "one page only")
        expect(len(ids) == len(set(ids)), "an object came twice")
        st["ids"] = ids
        return "%d objects in %d pages" % (len(ids), pages)

    @step("manifest, every page (limit 3, next)")
    def _():
        records = []
        for m in as_pages(st["group"].get_manifest, per_request=3):
            records += m.get("objects", [])
        expect(records, "empty")
        for r in records:
            expect(r.get("id") and r.get("date_added") and r.get("version") and r.get("media_type"),
                   "record %r" % r)
        if "ids" in st:
            expect([r["id"] for r in records] == st["ids"], "the manifest is not the objects, in order")
        st["manifest"] = records
        return "%d records" % len(records)

    @step("objects match[type]=identity")
    def _():
        env = st["group"].get_objects(type="identity")
        types = {o["type"] for o in env.get("objects", [])}
        expect(types == {"identity"}, "types %r" % types)
        return "%d identities" % len(env["objects"])

    @step("object by id")
    def _():
        oid = st["manifest"][-1]["id"]
        env = st["group"].get_object(oid)
        expect([o["id"] for o in env["objects"]] == [oid], "got %r" % env.get("objects"))
        return oid.split("--")[0]

    @step("object versions")
    def _():
        rec = st["manifest"][-1]
        v = st["group"].object_versions(rec["id"])
        expect(rec["version"] in v["versions"], "versions %r, manifest %r" % (v.get("versions"), rec["version"]))
        return "%d version" % len(v["versions"])

    @step("add objects: POST an envelope to the own collection")
    def _():
        status = st["own"].add_objects(envelope, wait_for_completion=False)
        expect(status.status == "complete", "status %r" % status.status)
        expect(status.success_count == status.total_count == len(envelope["objects"]),
               "%d of %d" % (status.success_count, status.total_count))
        st["status"] = status
        return "%d objects, status %s" % (status.total_count, status.status)

    @step("status: poll as taxii2-client does (Status.refresh)")
    def _():
        status = st["status"]
        status.refresh()
        expect(status.status == "complete", "status %r" % status.status)
        return status.status

    @step("status: ApiRoot.get_status")
    def _():
        status = st["root"].get_status(st["status"].id)
        expect(status.success_count == len(envelope["objects"]), "success_count %r" % status.success_count)
        return "%d successes" % status.success_count

    @step("read back what was posted, by the ID its status names")
    def _():
        person = [o for o in envelope["objects"] if o["type"] in ("identity", "threat-actor") and o.get("extensions")]
        expect(person, "no person in the envelope")
        pid = person[0]["id"]
        # ctis keeps an ID in an envelope as the agency's own key, and says
        # in the status under which ID it serves the entity.
        detail = [d for d in st["status"].successes if d.get("id") == pid]
        expect(detail, "no success for %s" % pid)
        m = re.match(r"stored as (\S+):", detail[0].get("message", ""))
        served = m.group(1) if m else pid
        env = st["own"].get_object(served)
        got = env["objects"][-1]
        expect(got.get("name") == person[0]["name"], "name %r" % got.get("name"))
        st["served"] = served
        return "posted as %s, served as %s" % (pid, served)

    @step("objects added_after the own collection's first date_added (what was posted since)")
    def _():
        records = []
        for m in as_pages(st["own"].get_manifest, per_request=100):
            records += m.get("objects", [])
        expect(records, "the own collection's manifest is empty")
        cut = records[0]["date_added"]
        later = [r["id"] for r in records if r["date_added"] > cut]
        got = []
        for env in as_pages(st["own"].get_objects, per_request=100, added_after=cut):
            got += [o["id"] for o in env.get("objects", [])]
        expect(later, "nothing in the manifest after %s" % cut)
        expect(got == later, "added_after %s gave %d objects, the manifest says %d" % (cut, len(got), len(later)))
        expect(st.get("served") in got, "the posted person is not among them")
        return "%d after %s" % (len(got), cut)



if __name__ == "__main__":
    main()
    failed = sum(1 for _, ok in RESULTS if not ok)
    print("%d passed, %d failed" % (len(RESULTS) - failed, failed))
    sys.exit(min(failed, 100))
