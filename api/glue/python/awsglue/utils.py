"""getResolvedOptions, as awsglue.utils has it."""


class GlueArgumentError(Exception):
    pass


def getResolvedOptions(args, options):
    """The values of --NAME VALUE arguments for each NAME of `options` (KeyError-free: a missing
    one raises GlueArgumentError, as Glue's argparse does). JOB_NAME and JOB_RUN_ID are passed by
    SealStack to every run."""
    found = {}
    i = 1
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if not eq:
                if i + 1 < len(args) and not args[i + 1].startswith("--"):
                    value = args[i + 1]
                    i += 1
                else:
                    value = ""
            found[name] = value
        i += 1
    out = {}
    for name in options:
        if name not in found:
            raise GlueArgumentError("the following arguments are required: --" + name)
        out[name] = found[name]
    if "JOB_ID" in found:
        out.setdefault("JOB_ID", found["JOB_ID"])
    if "JOB_RUN_ID" in found:
        out.setdefault("JOB_RUN_ID", found["JOB_RUN_ID"])
    return out
