def error(target, output):
    return target - output
