"""The engine benchmark's reference model (bench/tandem.yaml, DESIGN.md) in SimPy 3, the peer of `npm run bench:simpy`.

Poisson arrivals at 900/s; each journey visits three stations in turn; each station is one replica with 4 workers
(a simpy.Resource of capacity 4, FIFO) and exponential service times with mean 1/300 s. Analytic mean end-to-end
latency: three Erlang-C M/M/4 sojourns, 15.094 ms. A "request" is one journey through all three stations.

Usage: python3 bench/tandem_simpy.py [journeys] [seed]
Prints one JSON line: journeys, simulated seconds, mean latency in ms, CPU seconds of the simulation.
"""
import json
import random
import sys
import time

import simpy

RATE = 900.0
SERVICE_MEAN = 1 / 300
STATIONS = 3
WORKERS = 4


def journey(env, stations, rng, done):
    start = env.now
    for station in stations:
        with station.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1 / SERVICE_MEAN))
    done.append(env.now - start)


def arrivals(env, stations, rng, journeys, done):
    for _ in range(journeys):
        yield env.timeout(rng.expovariate(RATE))
        env.process(journey(env, stations, rng, done))


def main():
    journeys = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2026
    rng = random.Random(seed)
    t0 = time.process_time()
    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=WORKERS) for _ in range(STATIONS)]
    done = []
    env.process(arrivals(env, stations, rng, journeys, done))
    env.run()
    cpu = time.process_time() - t0
    print(json.dumps({
        'journeys': len(done),
        'simulatedSeconds': env.now,
        'meanMs': 1000 * sum(done) / len(done),
        'cpuSeconds': cpu,
        'simpy': simpy.__version__,
    }))


if __name__ == '__main__':
    main()
