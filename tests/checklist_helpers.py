from pixdeploy import checklist


def checklist_items(school, school_year=None):
    """The school's checklist items by label."""
    return {item.label: item for step in checklist.checklist_for(school, school_year) for item in step.items}
