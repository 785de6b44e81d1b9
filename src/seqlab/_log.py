"""seqlab's logger, and the "say it once" rule for fast-path fallbacks."""
import logging

logger = logging.getLogger("seqlab")
_said: set[str] = set()


def say_once(message: str, level: int = logging.INFO) -> None:
    """Log `message` the first time it is seen in this process, never again."""
    if message not in _said:
        _said.add(message)
        logger.log(level, message)
