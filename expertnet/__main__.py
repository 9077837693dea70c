import sys

from expertnet.cli import main

sys.exit(main())
