# SPDX-License-Identifier: Apache-2.0
import sys

from libzt.cli import main

sys.exit(main())
