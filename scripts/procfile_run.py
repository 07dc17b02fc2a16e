"""`make run`'s process runner: honcho, with the time it gives processes to stop after Ctrl-C raised from its fixed
five seconds to 30. The Celery worker's warm shutdown (finish the task in hand, stop the consumer, its timer and
heartbeat threads, then exit) can take longer than five seconds on a busy laptop, and honcho then sent SIGKILL."""

import sys

import honcho.manager
from honcho.command import main

honcho.manager.KILL_WAIT = 30

if __name__ == "__main__":
    sys.exit(main())
