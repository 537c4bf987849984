"""The save form's location field, read by the core's parser ``desktop.location`` like ``predict --csv``."""

from desktop.location import Location as Location
from desktop.location import parse_location as parse_location
