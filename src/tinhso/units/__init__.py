"""Administrative units: the 34 provinces and 3,321 communes of the 2025 reform, with validity.

Units are places (agencies act). A unit has a GSO code written as the GSO writes it (provinces
two digits, communes five), a validity period, and successions (old → new) so that dossiers from
before 1 July 2025 can still name the units that ceased to exist.
"""
