"""How the scheduler process and its build processes log: readable lines on stderr, without the chatter."""
import logging


class _QuietOverlap(logging.Filter):
    """A build can take longer than the work interval; APScheduler then skips that run (one
    instance at a time, which is what we want) and says so at WARNING each time. Not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (message.startswith("Execution of job") and "maximum number of running instances" in message
                    and str(record.args[0] if record.args else "").startswith("work "))


def configure_logging(level: int = logging.INFO) -> None:
    """Readable lines on stderr: time, process, level, where, what."""
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
                                           "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # 'Running job ...' / 'executed successfully' every few seconds is noise; failures still show.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    for chatty in ("weasyprint", "fontTools"):  # a line per page and per font otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").addFilter(_QuietOverlap())
