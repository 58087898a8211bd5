"""Job.init / Job.commit."""

from awsglue import bookmarks


class Job:
    def __init__(self, glue_context):
        self.glue_context = glue_context
        self.name = None
        self.args = {}

    def init(self, job_name, args=None):
        self.name = job_name
        self.args = dict(args or {})
        bookmarks.instance()

    def commit(self):
        """Stores the bookmark state (when bookmarks are enabled); the run's end makes it
        durable (a FAILED run keeps the previous state, as on AWS)."""
        bookmarks.instance().commit()

    @staticmethod
    def continuation_options():
        return ["continuation-enabled", "continuation-readonly", "continuation-ignore"]
