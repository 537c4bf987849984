"""Write field observations as a Darwin Core Archive: occurrence core plus a MeasurementOrFact extension.

The archive is the biodiversity standard GBIF and herbaria take (https://dwc.tdwg.org/text/): tab-separated
text files described by ``meta.xml``, with the dataset's metadata in ``eml.xml``.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from xml.etree import ElementTree as ET

import pandas as pd

from contract import observation as fields
from training.field import schema as fs
from training.schema import CLASSES, FEATURES

DWC = "http://rs.tdwg.org/dwc/terms/"
OCCURRENCE_ROW_TYPE = DWC + "Occurrence"
MEASUREMENT_ROW_TYPE = DWC + "MeasurementOrFact"
OCCURRENCE_FILE = "occurrence.txt"
MEASUREMENT_FILE = "measurementorfact.txt"

# The accepted names of the three species (Plants of the World Online), in CLASSES order.
SCIENTIFIC_NAMES = {
    "setosa": ("Iris setosa", "Pall. ex Link"),
    "versicolor": ("Iris versicolor", "L."),
    "virginica": ("Iris virginica", "L."),
}

VERIFIED = "verified: confirmed by the observer"
UNVERIFIED = "unverified: automated identification by the model"

# The terms the contract maps a field to (contract/observation.py), and those this archive adds itself.
OCCURRENCE_ID = str(fields.OBSERVATION_ID.dwc_term)
EVENT_DATE = str(fields.OBSERVED_AT.dwc_term)
RECORDED_BY = str(fields.OBSERVER.dwc_term)
LOCALITY = str(fields.LOCATION.dwc_term)
DECIMAL_LATITUDE = str(fields.LATITUDE.dwc_term)
DECIMAL_LONGITUDE = str(fields.LONGITUDE.dwc_term)
SCIENTIFIC_NAME = str(fields.CONFIRMED_SPECIES.dwc_term)  # the confirmed species, else the predicted one
OCCURRENCE_REMARKS = str(fields.NOTE.dwc_term)
MEASUREMENT_VALUE = str(fields.MEASUREMENT.dwc_term)
_FIXED_TERMS = (
    OCCURRENCE_ID,
    "basisOfRecord",
    EVENT_DATE,
    RECORDED_BY,
    "identifiedBy",
    LOCALITY,
    DECIMAL_LATITUDE,
    DECIMAL_LONGITUDE,
    "geodeticDatum",
    SCIENTIFIC_NAME,
    "scientificNameAuthorship",
    "kingdom",
    "genus",
    "specificEpithet",
    "taxonRank",
    "identificationVerificationStatus",
    "identificationRemarks",
    OCCURRENCE_REMARKS,
)
MEASUREMENT_TERMS = ("measurementID", "measurementType", MEASUREMENT_VALUE, "measurementUnit")
# Every other field of the table with a Darwin Core term is published under it, after the terms above.
EXTRA_TERMS: dict[str, fields.ObservationField] = {
    str(f.dwc_term): f
    for f in fields.FIELDS
    if f.dwc_term
    and f.dwc_term not in (*_FIXED_TERMS, *MEASUREMENT_TERMS)
    and not f.family
    and f.name in fs.COLUMNS
}
OCCURRENCE_TERMS = (*_FIXED_TERMS, *EXTRA_TERMS)


def _cell(value: object) -> str:
    """Return a value as one field of a tab-separated line (no tabs or line breaks inside)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _decimal(value: float) -> str:
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


_coordinate = _decimal


def _term_value(field: fields.ObservationField, value: object) -> str:
    """Return a field's value as its term's text: numbers in plain decimals, flags true/false."""
    if field.kind is fields.ValueKind.NUMBER:
        return _decimal(float(value)) if math.isfinite(float(value)) else ""  # type: ignore[arg-type]
    return _cell(value)


def occurrence(row: pd.Series) -> dict[str, str]:
    """Return one observation as Darwin Core occurrence terms."""
    confirmed = row[fs.CONFIRMED] in CLASSES
    species = row[fs.CONFIRMED] if confirmed else row[fs.PREDICTED]
    name, authorship = SCIENTIFIC_NAMES.get(species, ("", ""))
    located = not (math.isnan(row[fs.LATITUDE]) or math.isnan(row[fs.LONGITUDE]))
    predicted = f"the model {row[fs.RELEASE] or 'in the app'} predicted {row[fs.PREDICTED]}"
    if not math.isnan(row[fs.CONFIDENCE]):
        predicted += f" with probability {row[fs.CONFIDENCE]:.2f}"
    return {
        OCCURRENCE_ID: row[fs.ID],
        "basisOfRecord": "HumanObservation",
        EVENT_DATE: row[fs.OBSERVED_AT],
        RECORDED_BY: row[fs.OBSERVER],
        "identifiedBy": row[fs.OBSERVER] if confirmed else f"{row[fs.RELEASE] or 'Iris Field'} (model)",
        LOCALITY: row[fs.LOCATION],
        DECIMAL_LATITUDE: _coordinate(row[fs.LATITUDE]) if located else "",
        DECIMAL_LONGITUDE: _coordinate(row[fs.LONGITUDE]) if located else "",
        "geodeticDatum": "WGS84" if located else "",
        SCIENTIFIC_NAME: name,
        "scientificNameAuthorship": authorship,
        "kingdom": "Plantae",
        "genus": "Iris",
        "specificEpithet": species if name else "",
        "taxonRank": "species" if name else "",
        "identificationVerificationStatus": VERIFIED if confirmed else UNVERIFIED,
        "identificationRemarks": predicted,
        OCCURRENCE_REMARKS: row[fs.NOTE],
        **{term: _term_value(field, row[field.name]) for term, field in EXTRA_TERMS.items()},
    }


def measurements(row: pd.Series) -> list[dict[str, str]]:
    """Return the observation's four measurements as MeasurementOrFact records."""
    return [
        {
            "measurementID": f"{row[fs.ID]}:{spec.name}",
            "measurementType": spec.label.lower(),
            MEASUREMENT_VALUE: f"{row[spec.name]:g}",
            "measurementUnit": spec.unit,
        }
        for spec in FEATURES
        if not math.isnan(row[spec.name])
    ]


def _text_file(header: tuple[str, ...], records: list[list[str]]) -> bytes:
    lines = ["\t".join(header), *("\t".join(_cell(v) for v in record) for record in records)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _meta_xml() -> bytes:
    archive = ET.Element("archive", {"xmlns": "http://rs.tdwg.org/dwc/text/", "metadata": "eml.xml"})
    layout = {
        "encoding": "UTF-8",
        "fieldsTerminatedBy": "\\t",
        "linesTerminatedBy": "\\n",
        "fieldsEnclosedBy": "",
        "ignoreHeaderLines": "1",
    }
    core = ET.SubElement(archive, "core", {**layout, "rowType": OCCURRENCE_ROW_TYPE})
    ET.SubElement(ET.SubElement(core, "files"), "location").text = OCCURRENCE_FILE
    ET.SubElement(core, "id", {"index": "0"})
    for index, term in enumerate(OCCURRENCE_TERMS):
        ET.SubElement(core, "field", {"index": str(index), "term": DWC + term})
    extension = ET.SubElement(archive, "extension", {**layout, "rowType": MEASUREMENT_ROW_TYPE})
    ET.SubElement(ET.SubElement(extension, "files"), "location").text = MEASUREMENT_FILE
    ET.SubElement(extension, "coreid", {"index": "0"})
    for index, term in enumerate(MEASUREMENT_TERMS, start=1):
        ET.SubElement(extension, "field", {"index": str(index), "term": DWC + term})
    return ET.tostring(archive, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class Licence:
    """A licence GBIF accepts, as its IPT writes it into ``intellectualRights``."""

    code: str
    title: str
    url: str


LICENCES = {
    licence.code: licence
    for licence in (
        Licence(
            "CC0-1.0", "Public Domain (CC0 1.0)", "http://creativecommons.org/publicdomain/zero/1.0/legalcode"
        ),
        Licence(
            "CC-BY-4.0",
            "Creative Commons Attribution (CC-BY) 4.0 License",
            "http://creativecommons.org/licenses/by/4.0/legalcode",
        ),
        Licence(
            "CC-BY-NC-4.0",
            "Creative Commons Attribution Non Commercial (CC-BY-NC) 4.0 License",
            "http://creativecommons.org/licenses/by-nc/4.0/legalcode",
        ),
    )
}
DEFAULT_LICENCE = "CC-BY-4.0"
LAB_NAME = "Iris Field lab"


@dataclass(frozen=True)
class Contact:
    """Who made the data set and answers questions about it."""

    name: str
    email: str = ""

    @classmethod
    def parse(cls, text: str) -> Contact:
        """Read ``NAME <EMAIL>``; raise ``ValueError`` naming what is wrong."""
        name, email = parseaddr(text)
        if not name.strip() or "@" not in email or email.strip() != email:
            raise ValueError(f'expected "NAME <EMAIL>", e.g. "Ada Lovelace <ada@lab.example>", not {text!r}')
        return cls(name.strip(), email)


def _party(parent: ET.Element, tag: str, contact: Contact | None) -> None:
    party = ET.SubElement(parent, tag)
    if contact is None:
        ET.SubElement(party, "organizationName").text = LAB_NAME
        return
    given, _, surname = contact.name.rpartition(" ")
    person = ET.SubElement(party, "individualName")
    if given:
        ET.SubElement(person, "givenName").text = given
    ET.SubElement(person, "surName").text = surname
    ET.SubElement(party, "organizationName").text = LAB_NAME
    ET.SubElement(party, "electronicMailAddress").text = contact.email


def _rights(dataset: ET.Element, licence: Licence) -> None:
    para = ET.SubElement(ET.SubElement(dataset, "intellectualRights"), "para")
    para.text = "This work is licensed under a "
    link = ET.SubElement(para, "ulink", {"url": licence.url})
    ET.SubElement(link, "citetitle").text = licence.title
    link.tail = "."


def _coverage(dataset: ET.Element, table: pd.DataFrame) -> None:
    """Add the geographic, temporal and taxonomic coverage of the rows (each only where rows give it)."""
    coverage = ET.SubElement(dataset, "coverage")
    points = table[table[fs.LATITUDE].map(math.isfinite) & table[fs.LONGITUDE].map(math.isfinite)]
    if len(points):
        geographic = ET.SubElement(coverage, "geographicCoverage")
        ET.SubElement(
            geographic, "geographicDescription"
        ).text = f"The bounding box of the {len(points)} located observations (WGS84)."
        box = ET.SubElement(geographic, "boundingCoordinates")
        for tag, value in (
            ("westBoundingCoordinate", points[fs.LONGITUDE].min()),
            ("eastBoundingCoordinate", points[fs.LONGITUDE].max()),
            ("northBoundingCoordinate", points[fs.LATITUDE].max()),
            ("southBoundingCoordinate", points[fs.LATITUDE].min()),
        ):
            ET.SubElement(box, tag).text = _coordinate(value)
    dates = sorted(d[:10] for d in table[fs.OBSERVED_AT] if d)
    if dates:
        period = ET.SubElement(ET.SubElement(coverage, "temporalCoverage"), "rangeOfDates")
        ET.SubElement(ET.SubElement(period, "beginDate"), "calendarDate").text = dates[0]
        ET.SubElement(ET.SubElement(period, "endDate"), "calendarDate").text = dates[-1]
    named = table[fs.CONFIRMED].where(table[fs.CONFIRMED].isin(CLASSES), table[fs.PREDICTED])
    species = [c for c in CLASSES if (named == c).any()]
    if species:
        taxonomic = ET.SubElement(coverage, "taxonomicCoverage")
        ET.SubElement(taxonomic, "generalTaxonomicCoverage").text = "Species of the genus Iris"
        for name in species:
            taxon = ET.SubElement(taxonomic, "taxonomicClassification")
            ET.SubElement(taxon, "taxonRankName").text = "species"
            ET.SubElement(taxon, "taxonRankValue").text = SCIENTIFIC_NAMES[name][0]


def _eml_xml(
    table: pd.DataFrame, title: str, published: datetime, licence: Licence, contact: Contact | None
) -> bytes:
    eml = ET.Element(
        "eml:eml",
        {
            "xmlns:eml": "https://eml.ecoinformatics.org/eml-2.2.0",
            "packageId": f"iris-field-observations-{published:%Y%m%dT%H%M%SZ}",
            "system": "iris-field",
            "xml:lang": "en",
        },
    )
    dataset = ET.SubElement(eml, "dataset")
    ET.SubElement(dataset, "title").text = title
    _party(dataset, "creator", contact)
    ET.SubElement(dataset, "pubDate").text = f"{published:%Y-%m-%d}"
    ET.SubElement(dataset, "language").text = "en"
    abstract = ET.SubElement(dataset, "abstract")
    ET.SubElement(abstract, "para").text = (
        f"{len(table)} field observations of Iris flowers: four measurements each (MeasurementOrFact), "
        "identified by the Iris Field app's model and, where stated, confirmed by the botanist."
    )
    _rights(dataset, licence)
    _coverage(dataset, table)
    _party(dataset, "contact", contact)
    return ET.tostring(eml, encoding="utf-8", xml_declaration=True)


def archive_bytes(
    table: pd.DataFrame,
    *,
    title: str = "Iris Field observations",
    published: datetime | None = None,
    licence: str = DEFAULT_LICENCE,
    contact: Contact | None = None,
) -> bytes:
    """Return the Darwin Core Archive (a zip file) of every observation in ``table``."""
    published = published or datetime.now(UTC)
    occurrences = [occurrence(row) for _, row in table.iterrows()]
    facts = [
        [fact_row[fs.ID], *(fact[t] for t in MEASUREMENT_TERMS)]
        for _, fact_row in table.iterrows()
        for fact in measurements(fact_row)
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.xml", _meta_xml())
        archive.writestr("eml.xml", _eml_xml(table, title, published, LICENCES[licence], contact))
        archive.writestr(
            OCCURRENCE_FILE,
            _text_file(OCCURRENCE_TERMS, [[o[t] for t in OCCURRENCE_TERMS] for o in occurrences]),
        )
        archive.writestr(MEASUREMENT_FILE, _text_file(("coreid", *MEASUREMENT_TERMS), facts))
    return buffer.getvalue()
