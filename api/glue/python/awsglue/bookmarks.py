"""Job bookmarks as SealStack runs them.

The server hands the run its job's bookmark state in the file SEALSTACK_GLUE_BOOKMARK_IN (JSON)
and stores what Job.commit writes to SEALSTACK_GLUE_BOOKMARK_OUT once the run SUCCEEDS, sealed
under the security configuration's JobBookmarksEncryption key when it is CSE-KMS. The state
remembers, for each transformation_ctx, the S3 objects (by ETag) that were read: with
--job-bookmark-option job-bookmark-enable a later run skips them; job-bookmark-pause skips them
without recording new ones; job-bookmark-disable (the default) reads everything.
"""

import json
import os
import sys


def _option():
    args = sys.argv
    for i, a in enumerate(args):
        if a == "--job-bookmark-option" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--job-bookmark-option="):
            return a.split("=", 1)[1]
    return os.environ.get("SEALSTACK_GLUE_BOOKMARK_OPTION", "job-bookmark-disable")


class Bookmarks:
    def __init__(self):
        self.option = _option()
        self.state = {"contexts": {}}
        path = os.environ.get("SEALSTACK_GLUE_BOOKMARK_IN")
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if text.strip():
                self.state = json.loads(text)
                self.state.setdefault("contexts", {})
        self.pending = {}

    @property
    def enabled(self):
        return self.option in ("job-bookmark-enable", "job-bookmark-pause")

    def seen(self, ctx, url, etag):
        if not self.enabled or not ctx:
            return False
        return self.state["contexts"].get(ctx, {}).get("objects", {}).get(url) == etag

    def read(self, ctx, url, etag):
        if self.option == "job-bookmark-enable" and ctx:
            self.pending.setdefault(ctx, {})[url] = etag

    def commit(self):
        if self.option != "job-bookmark-enable":
            return
        for ctx, objects in self.pending.items():
            self.state["contexts"].setdefault(ctx, {}).setdefault("objects", {}).update(objects)
        self.pending = {}
        path = os.environ.get("SEALSTACK_GLUE_BOOKMARK_OUT")
        if path:
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.state, f, sort_keys=True)
            os.replace(tmp, path)


_instance = None


def instance():
    global _instance
    if _instance is None:
        _instance = Bookmarks()
    return _instance
