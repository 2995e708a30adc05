"""The tests' own servers: started on free ports, used, and gone afterwards."""

from __future__ import annotations

import kombu
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.services import PostgresServer, RabbitMQServer, RedisServer


def test_each_test_gets_its_own_migrated_postgres_database(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert postgres_server.port != 5432
    engine = create_engine(postgres_url, poolclass=NullPool)
    with engine.connect() as conn:
        data_dir = conn.execute(text("SHOW data_directory")).scalar_one()
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables")).scalars())
    engine.dispose()
    assert data_dir.startswith(str(postgres_server.root))
    assert {"jobs", "users", "alembic_version"} <= tables


def test_redis_server_is_removed_when_stopped() -> None:
    server = RedisServer().start()
    client = redis.Redis.from_url(server.url(3))
    assert client.set("key", "value")
    assert client.get("key") == b"value"
    client.close()
    server.stop()
    assert not server.root.exists()
    assert server.process is not None and server.process.poll() is not None


def test_rabbitmq_carries_a_message_in_the_tests_vhost(
    rabbitmq_server: RabbitMQServer, rabbitmq_url: str
) -> None:
    assert rabbitmq_server.port != 5672
    queue = kombu.Queue("probe", durable=True)
    with kombu.Connection(rabbitmq_url) as connection:
        with connection.Producer() as producer:
            producer.publish({"n": 1}, routing_key="probe", declare=[queue])
        message = connection.SimpleQueue(queue).get(timeout=10)
        assert message.payload == {"n": 1}
        message.ack()
