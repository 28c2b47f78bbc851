import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the tests' shared helpers
sys.path.insert(0, str(Path(__file__).parent.parent))  # bench/: not installed, imported by tests
