notes = [12, 15, 9, 14]
total = 0
for note in notes:
    total = total + note

moyenne = total / 3
print("Moyenne :", moyenne)
