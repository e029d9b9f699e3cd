"""The surveillance plan (no Django import): who invigilates where and when, and who is in two rooms at once.

A session is given as plain data: its id, its start and end (datetimes) and its invigilators, each as
(key, name): the key tells people apart (an account, else the name folded), the name is what the page shows.
"""

import unicodedata
from dataclasses import dataclass, field


def person_key(name):
    """A typed name folded so that "Mme  DUPONT" and "mme Dupont" are one person."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(text.split())


@dataclass
class Slot:
    session_id: int
    start: object  # datetime
    end: object
    label: str = ""  # where: room, session number
    clashes: list = field(default_factory=list)  # ids of this person's other sessions overlapping this one


@dataclass
class Duty:
    """One person's sessions, in time order, and whether two of them overlap."""

    key: str
    name: str
    slots: list

    @property
    def has_clash(self):
        return any(slot.clashes for slot in self.slots)


def overlaps(a, b):
    """Two slots overlap when one starts before the other ends (back to back is fine)."""
    return a.start < b.end and b.start < a.end


def plan(sessions):
    """[Duty] per person, by name, from sessions given as (session_id, start, end, label, [(key, name)])."""
    duties = {}
    for session_id, start, end, label, people in sessions:
        for key, name in people:
            duty = duties.setdefault(key, Duty(key, name, []))
            if all(slot.session_id != session_id for slot in duty.slots):  # one name typed twice: one slot
                duty.slots.append(Slot(session_id, start, end, label))
    for duty in duties.values():
        duty.slots.sort(key=lambda slot: (slot.start, slot.session_id))
        for i, slot in enumerate(duty.slots):
            for other in duty.slots[i + 1 :]:
                if other.start >= slot.end:
                    break
                if overlaps(slot, other):
                    slot.clashes.append(other.session_id)
                    other.clashes.append(slot.session_id)
    return sorted(duties.values(), key=lambda duty: (person_key(duty.name), duty.key))
