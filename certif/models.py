# Certification sessions, candidates, invigilation and hand-over come with their own issue.
